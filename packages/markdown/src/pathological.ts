/**
 * Inputs that make markdown parsers quadratic or overflow their stack (after commonmark.js's
 * `pathological_tests.py` and react-markdown's reported cases), each about 200 KB.
 */
export function pathologicalInputs(size = 50_000): Record<string, string> {
  return {
    'nested brackets': `${'['.repeat(size)}a${']'.repeat(size)}`,
    'unclosed brackets': `${'['.repeat(size)}a`,
    'nested emphasis': `${'*a '.repeat(size)}${' a*'.repeat(size)}`,
    'emphasis markers': `${'*'.repeat(size)}a${'_'.repeat(size)}`,
    'unclosed links': '[a](b '.repeat(size / 2),
    'unclosed link destinations': '[a](<b'.repeat(size / 2),
    'deep blockquotes': `${'>'.repeat(size)} a`,
    'deep lists': Array.from({ length: 2000 }, (_, i) => `${'  '.repeat(i)}- a`).join('\n'),
    'backtick runs': Array.from({ length: 2000 }, (_, i) => `${'`'.repeat(i + 1)}a`).join(' '),
    'nested link labels': `${'[a'.repeat(size / 2)}${'](b)'.repeat(size / 2)}`,
    'reference definitions': '[a]: b\n'.repeat(size / 2) + '[a] '.repeat(1000),
    'table columns': `${'|a'.repeat(size / 2)}|\n${'|-'.repeat(size / 2)}|\n${'|b'.repeat(size / 2)}|`,
  }
}
