// Text embedded in generated wrk Lua scripts.

/**
 * A Lua string literal for any text: a long bracket of a level the text cannot close, so nothing
 * needs escaping. Lua reads line breaks inside as `\n` and drops one right after the bracket, which
 * the paths, headers and one-line bodies of the scenarios never have.
 */
export function luaString(text: string): string {
  let level = ''
  while (text.includes(`]${level}]`)) level += '='
  return `[${level}[${text}]${level}]`
}
