// Fixed, valid values for strings and numbers, derived from a flat schema's keywords alone. Every
// value is a constant or computed from the bounds, so the same schema always gives the same value.
import type { SchemaObject } from './schema-flatten.ts'

/** One value per `format`; reserved documentation ranges and domains where there are any. */
const FORMAT_EXAMPLES: Record<string, string> = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  time: '00:00:00Z',
  duration: 'P1D',
  email: 'user@example.com',
  'idn-email': 'user@example.com',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  uri: 'https://example.com',
  url: 'https://example.com',
  iri: 'https://example.com',
  'uri-reference': 'https://example.com',
  'iri-reference': 'https://example.com',
  'uri-template': 'https://example.com/{id}',
  uuid: '00000000-0000-4000-8000-000000000000',
  'json-pointer': '/example',
  'relative-json-pointer': '0',
  regex: '.*',
  byte: 'c3RyaW5n',
}

/** A string of the declared format, else `string` cut or padded to the length bounds. A `pattern` is not taken into account. */
export function stringExample(schema: SchemaObject): string {
  if (typeof schema.format === 'string' && Object.hasOwn(FORMAT_EXAMPLES, schema.format)) return FORMAT_EXAMPLES[schema.format]
  let value = 'string'
  if (typeof schema.maxLength === 'number' && schema.maxLength >= 0) value = value.slice(0, schema.maxLength)
  if (typeof schema.minLength === 'number' && schema.minLength > value.length) value = value.padEnd(Math.min(schema.minLength, 10_000), 'x')
  return value
}

interface Bounds {
  low: number
  lowExclusive: boolean
  high: number
  highExclusive: boolean
}

/** 0 when the bounds allow it, else the allowed value nearest to 0. */
export function numberExample(schema: SchemaObject, integer: boolean): number {
  const bounds = boundsOf(schema)
  const step = typeof schema.multipleOf === 'number' && schema.multipleOf > 0 ? schema.multipleOf : undefined
  const fits = (value: number): boolean => Number.isFinite(value) && inBounds(value, bounds) && (!integer || Number.isInteger(value)) && (step === undefined || isMultiple(value, step))
  if (fits(0)) return 0
  // 0 is an integer and a multiple of anything, so only a bound keeps it out: start from that bound.
  const upward = bounds.low >= 0
  const candidates = step === undefined ? plainCandidates(bounds, upward, integer) : steppedCandidates(bounds, upward, step)
  for (const candidate of candidates) if (fits(candidate)) return candidate
  return upward ? bounds.low : bounds.high // the bounds leave nothing; the nearest bound is the least wrong
}

function boundsOf(schema: SchemaObject): Bounds {
  const bounds: Bounds = { low: -Infinity, lowExclusive: false, high: Infinity, highExclusive: false }
  if (typeof schema.minimum === 'number') bounds.low = schema.minimum
  if (typeof schema.exclusiveMinimum === 'number' && schema.exclusiveMinimum >= bounds.low) {
    bounds.low = schema.exclusiveMinimum
    bounds.lowExclusive = true
  }
  if (typeof schema.maximum === 'number') bounds.high = schema.maximum
  if (typeof schema.exclusiveMaximum === 'number' && schema.exclusiveMaximum <= bounds.high) {
    bounds.high = schema.exclusiveMaximum
    bounds.highExclusive = true
  }
  return bounds
}

function inBounds(value: number, bounds: Bounds): boolean {
  const aboveLow = bounds.lowExclusive ? value > bounds.low : value >= bounds.low
  const belowHigh = bounds.highExclusive ? value < bounds.high : value <= bounds.high
  return aboveLow && belowHigh
}

function plainCandidates(bounds: Bounds, upward: boolean, integer: boolean): number[] {
  const { low, high } = bounds
  if (integer) return upward ? [Math.ceil(low), Math.floor(low) + 1] : [Math.floor(high), Math.ceil(high) - 1]
  const middle = (low + high) / 2
  return upward ? [low, low + 1, middle] : [high, high - 1, middle]
}

/** Multiples of `step` walking away from 0, starting at the bound; a bounded walk, so a range with no multiple ends. */
function steppedCandidates(bounds: Bounds, upward: boolean, step: number): number[] {
  const candidates: number[] = []
  const start = upward ? Math.ceil(bounds.low / step) : Math.floor(bounds.high / step)
  for (let i = 0; i < 1000; i++) candidates.push(roundToStep((upward ? start + i : start - i) * step, step))
  return candidates
}

/** `k * step` without the binary noise (0.1 * 3 is 0.30000000000000004). */
function roundToStep(value: number, step: number): number {
  const decimals = decimalsOf(step)
  return decimals > 0 ? Number(value.toFixed(Math.min(decimals, 100))) : value
}

function decimalsOf(value: number): number {
  const [mantissa, exponent] = String(value).split('e')
  const fraction = mantissa.split('.')[1]?.length ?? 0
  return Math.max(0, fraction - Number(exponent ?? 0))
}

function isMultiple(value: number, step: number): boolean {
  const quotient = value / step
  return Math.abs(quotient - Math.round(quotient)) < 1e-9
}
