/**
 * Splits `text` into lines, each keeping its `\n`, so joined they are `text` again; the last
 * line may have none yet.
 *
 * @example
 * splitLines('one\ntwo') // ['one\n', 'two']
 */
export function splitLines(text: string): string[] {
  const lines: string[] = []
  let start = 0
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    lines.push(text.slice(start, end + 1))
    start = end + 1
  }
  if (start < text.length) lines.push(text.slice(start))
  return lines
}
