/** A markdown answer of about `tokens` tokens (4 characters each): headings, lists, code, a table. */
export function markdownAnswer(tokens = 10_000): string {
  const sections: string[] = []
  for (let i = 0; sections.join('\n\n').length < tokens * 4; i++) {
    sections.push(
      `## Step ${i + 1}: configure the **service** part ${i}`,
      `First, read the [guide](https://example.com/docs/${i}) and run \`npm install\` — it takes _a few_ seconds[^n${i % 3}].`,
      '- Install the dependencies\n- Set `PORT` in `.env`\n  with a second line\n- Start the server:\n\n  ```sh\n  npm start\n  ```',
      `\`\`\`ts\nexport function handler${i}(request: Request): Response {\n  const url = new URL(request.url)\n  return new Response(url.pathname, { status: 200 })\n}\n\`\`\``,
      '| option | default | meaning |\n|:--|:-:|--:|\n| `port` | 8787 | where it listens |\n| `host` | localhost | ~~any~~ one host |',
      `> Note: step ${i} is ~~optional~~ required when the answer is long.`,
    )
  }
  sections.push('[^n0]: The first note.', '[^n1]: The second note.', '[^n2]: The third note.')
  return sections.join('\n\n')
}
