// Where a JSON text first goes wrong. Used only after JSON.parse has failed and V8's message gave
// no position ("Unexpected token 'x', "…" is not valid JSON"): that message quotes the body,
// which must not be echoed, so the position is found by this one linear scan instead.

const OBJECT = 0
const ARRAY = 1

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)
}

/** The offset of the first character that makes `text` invalid JSON, or -1 when it is valid. */
export function jsonSyntaxErrorOffset(text: string): number {
  const n = text.length
  const stack: number[] = []
  let i = 0
  const skipBlanks = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
      i++
    }
  }
  // Each scanner advances i past its token and returns false at the offending character.
  const scanString = (): boolean => {
    i++ // opening quote
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return true
      }
      if (c < 0x20) return false
      if (c === 0x5c) {
        const e = text[i + 1]
        if (e === 'u') {
          for (let k = 2; k < 6; k++) {
            if (!isHex(text.charCodeAt(i + k))) {
              i += k
              return false
            }
          }
          i += 6
          continue
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          i++
          return false
        }
        i += 2
        continue
      }
      i++
    }
    return false
  }
  const scanDigits = (): boolean => {
    if (!isDigit(text.charCodeAt(i))) return false
    while (isDigit(text.charCodeAt(i))) i++
    return true
  }
  const scanNumber = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++
    if (text.charCodeAt(i) === 0x30) i++
    else if (!scanDigits()) return false
    if (text.charCodeAt(i) === 0x2e) {
      i++
      if (!scanDigits()) return false
    }
    const e = text.charCodeAt(i)
    if (e === 0x65 || e === 0x45) {
      i++
      const sign = text.charCodeAt(i)
      if (sign === 0x2b || sign === 0x2d) i++
      if (!scanDigits()) return false
    }
    return true
  }
  const scanWord = (word: string): boolean => {
    for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return false
    return true
  }
  const scanKey = (): boolean => {
    skipBlanks()
    if (text[i] !== '"' || !scanString()) return false
    skipBlanks()
    if (text[i] !== ':') return false
    i++
    return true
  }

  let expectValue = true
  for (;;) {
    skipBlanks()
    if (expectValue) {
      const c = text[i]
      if (c === '{' || c === '[') {
        i++
        skipBlanks()
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++
          expectValue = false
          continue
        }
        stack.push(c === '{' ? OBJECT : ARRAY)
        if (c === '{' && !scanKey()) return i
        continue
      }
      let ok: boolean
      if (c === '"') ok = scanString()
      else if (c === '-' || isDigit(text.charCodeAt(i))) ok = scanNumber()
      else if (c === 't') ok = scanWord('true')
      else if (c === 'f') ok = scanWord('false')
      else if (c === 'n') ok = scanWord('null')
      else ok = false
      if (!ok) return i
      expectValue = false
      continue
    }
    if (stack.length === 0) return i < n ? i : -1
    const top = stack[stack.length - 1]
    const c = text[i]
    if (c === ',') {
      i++
      if (top === OBJECT && !scanKey()) return i
      expectValue = true
    } else if ((c === '}' && top === OBJECT) || (c === ']' && top === ARRAY)) {
      i++
      stack.pop()
    } else {
      return i
    }
  }
}
