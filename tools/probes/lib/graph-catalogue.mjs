// The hostile inputs graph-inputs.mjs feeds the plugin: each one an image
// project (a few are several) in one workspace beside a healthy base image,
// a healthy service FROM it and a library the service uses.
//
// An input: { category, id, dirs, files, fifos, directories, links, nx }
//   dirs        the project directories it makes (default [`services/<id>`])
//   files       path -> text or bytes, committed
//   fifos, directories, links (path -> target)   made after the commit, as a
//               checkout or a merge request could leave them (git cannot commit a FIFO)
//   nx          false with a reason when real Nx itself refuses the input
//               before the plugin runs (those are probed in-process only)
import { seededRandom } from './common.mjs';
import { json, inputList } from './catalogue-kit.mjs';
import { argChains, encodings, heredocsAndEscapes, longLines, stageGraphs } from './catalogue-dockerfiles.mjs';
import { binaryGarbage, hugeFiles, notRegularFiles, symlinksOutside } from './catalogue-files.mjs';
import { fuzzedDockerfiles } from './catalogue-fuzz.mjs';
import { dockerignores, imageGraphs, invalidProjectFiles } from './catalogue-project-files.mjs';

export { outsideFiles } from './catalogue-files.mjs';

/** The projects every input sits beside. */
export const HEALTHY = {
  'package.json': json({ name: 'probes', private: true, workspaces: ['packages/*'] }),
  'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], dockerImage: ['default'] }, plugins: ['@imagewise/nx-plugin'] }),
  '.gitignore': 'node_modules\n.nx\n.nx-stdout\n',
  'packages/lib/package.json': json({ name: '@probes/lib', version: '1.0.0' }),
  'images/base/Dockerfile': 'FROM scratch\nCOPY . /\n',
  'services/healthy/Dockerfile': 'FROM base\nCOPY . /app\n',
  'services/healthy/package.json': json({ name: 'healthy', version: '0.1.0', private: true, dependencies: { '@probes/lib': '^1.0.0' } }),
};
export const BASE = 'base';
export const HEALTHY_SERVICE = 'healthy';
export const LIBRARY = { name: '@probes/lib', root: 'packages/lib', version: '1.0.0' };

/**
 * The catalogue, category by category in a fixed order: the seeded random
 * source is drawn from in that order. The planted marker is in files where the
 * plugin must never read it (files outside the workspace, this process's
 * environment); `outside` is a directory outside the workspace holding those files.
 */
export function catalogue({ seed = 1, fuzz = 300, outside }) {
  const random = seededRandom(seed);
  const list = inputList();
  notRegularFiles(list);
  symlinksOutside(list, outside);
  hugeFiles(list);
  binaryGarbage(list, random);
  encodings(list);
  longLines(list);
  stageGraphs(list);
  argChains(list);
  heredocsAndEscapes(list);
  invalidProjectFiles(list);
  dockerignores(list);
  imageGraphs(list);
  fuzzedDockerfiles(list, random, fuzz);
  return list.inputs;
}
