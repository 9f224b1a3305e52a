// JSON string literals for hand-built log lines. Output is pure ASCII: everything outside
// printable ASCII is written as a \uXXXX escape, so a line's length in characters equals its
// length in bytes (the batch writer relies on that to cut writes at line boundaries) and a
// hostile path cannot smuggle terminal control sequences or invalid UTF-8 into the log.

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f-\uffff]/
const NON_ASCII = /[\u007f-\uffff]/g

function unicodeEscape(char: string): string {
  return '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0')
}

/** `value` as a quoted JSON string; the common case (nothing to escape) is one regex test. */
export function jsonString(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return '"' + value + '"'
  // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates.
  return JSON.stringify(value).replace(NON_ASCII, unicodeEscape)
}

/** A JSON number, or `null` for NaN and ±Infinity (which JSON cannot represent). */
export function jsonNumber(value: number): string {
  return Number.isFinite(value) ? '' + value : 'null'
}

const MAX_FAST_MILLIS = 1e9

/**
 * Milliseconds with three decimals (microsecond resolution), as a JSON number. Built from two
 * small integers because V8 turns small integers into strings from a cache, while a fractional
 * double goes through the much slower shortest-representation algorithm.
 */
export function jsonMillis(value: number): string {
  if (value >= 0 && value < MAX_FAST_MILLIS) {
    const micros = Math.round(value * 1000)
    const whole = Math.floor(micros / 1000)
    const fraction = micros - whole * 1000
    return whole + (fraction < 10 ? '.00' : fraction < 100 ? '.0' : '.') + fraction
  }
  return Number.isFinite(value) ? '' + Math.round(value * 1000) / 1000 : 'null'
}
