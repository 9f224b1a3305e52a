import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseAccept, parsePrefer, pickMediaType } from './negotiate.ts'

describe('parseAccept', () => {
  it('reads ranges and q-values, ignoring malformed entries', () => {
    const ranges = parseAccept('text/HTML;level=1;q=0.7, application/json , nonsense, image/*;q=2, */*;q=0')
    assert.deepEqual(
      ranges.map((range) => [range.type, range.subtype, range.quality]),
      [['text', 'html', 0.7], ['application', 'json', 1], ['*', '*', 0]],
    )
  })
})

describe('pickMediaType', () => {
  const declared = ['application/json', 'application/xml', 'text/plain']
  const pick = (accept: string): number => pickMediaType(parseAccept(accept), declared)

  it('prefers the highest q', () => {
    assert.equal(pick('application/json;q=0.4, text/plain;q=0.9, application/xml;q=0.5'), 2)
  })

  it('takes the q of the most specific matching range', () => {
    // application/* would rate JSON 1, but the exact range says the client does not want it.
    assert.equal(pick('application/*, application/json;q=0'), 1)
    assert.equal(pick('*/*;q=0.1, text/*'), 2)
  })

  it('breaks ties by the client\'s order, then the declared order', () => {
    assert.equal(pick('text/plain, application/json'), 2)
    assert.equal(pick('*/*'), 0)
  })

  it('returns -1 when nothing declared is acceptable', () => {
    assert.equal(pick('image/png'), -1)
    assert.equal(pick('*/*;q=0'), -1)
  })
})

describe('parsePrefer', () => {
  it('reads code and example, quoted or not, in one header or several preferences', () => {
    assert.deepEqual(parsePrefer('code=404'), { code: 404 })
    assert.deepEqual(parsePrefer('example="not found", code=422'), { code: 422, example: 'not found' })
    assert.deepEqual(parsePrefer('return=minimal; example=second'), { example: 'second' })
  })

  it('ignores codes that are no HTTP status', () => {
    assert.deepEqual(parsePrefer('code=42, code=600, code=abc'), {})
  })
})
