// What the catalogue's parts share: sizes, a JSON file's text, and the list
// they add their inputs to (the shape of an input is in graph-catalogue.mjs).
export const KiB = 1024;
export const MiB = 1024 * KiB;
export const json = (value) => `${JSON.stringify(value)}\n`;

/** An empty catalogue: `add` puts an input in `inputs`; `dockerfile` one whose Dockerfile is `text`. */
export function inputList() {
  const inputs = [];
  const add = (category, id, spec) => inputs.push({ category, id, dirs: [`services/${id}`], files: {}, ...spec });
  const dockerfile = (id, text, more = {}) => add(more.category ?? 'text', id, { ...more, files: { [`services/${id}/Dockerfile`]: text, ...more.files } });
  return { inputs, add, dockerfile };
}
