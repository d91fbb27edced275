// The `data:` payload of each SSE block in a stream of text chunks (blocks end with "\n\n", one data line each, as
// both the LLM stub and the server write them). Returns the function to feed each chunk to.
export function sseData(onData) {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      onData(block.slice(block.indexOf('data: ') + 6));
    }
  };
}
