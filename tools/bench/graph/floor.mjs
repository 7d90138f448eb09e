// Where the plugin's share of a cold `nx show projects` goes, on the workspace
// of run.mjs, measured the same way (variants interleaved):
//   - a fourth plugin worker that makes no projects (Nx starts one per plugin);
//   - the plugin's own createNodes results replayed from a file, with a
//     createDependencies that returns nothing: Nx's cost of those results alone;
//   - the same without docker:drift, the one target the issues do not ask of
//     every image: the least any plugin with these results costs;
//   - the plugin itself.
//   node tools/bench/graph/floor.mjs [--services 1000] [--runs 5] [--tarball path/to/imagewise-nx-plugin.tgz]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateWorkspace } from './generate.mjs';
import { installTemplate, makeWorkspaces, measure, pluginTarball, removeAll, servicesLayout } from './measure.mjs';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' }, tarball: { type: 'string' } },
});
const services = Number(values.services);
const template = installTemplate(pluginTarball(values.tarball));

// The plugin's results for the benchmark workspace, recorded once.
const recordRoot = join(template, 'record');
generateWorkspace(recordRoot, { services, plugins: ['@imagewise/nx-plugin'] });
const plugin = createRequire(join(template, 'package.json'))('@imagewise/nx-plugin');
const dockerfiles = ['images', 'services'].flatMap((dir) => readdirSync(join(recordRoot, dir)).map((name) => `${dir}/${name}/Dockerfile`));
const recorded = await plugin.createNodesV2[1](dockerfiles, undefined, {
  workspaceRoot: recordRoot,
  nxJsonConfiguration: { namedInputs: { dockerImage: ['production'] } },
});
writeFileSync(join(template, 'recorded-results.json'), JSON.stringify(recorded));
for (const [, result] of recorded) for (const project of Object.values(result.projects ?? {})) delete project.targets['docker:drift'];
writeFileSync(join(template, 'recorded-results-required.json'), JSON.stringify(recorded));

const stub = (name, body) => {
  mkdirSync(join(template, 'node_modules', name), { recursive: true });
  writeFileSync(join(template, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '0.0.0', main: 'index.js' }));
  writeFileSync(join(template, 'node_modules', name, 'index.js'), `exports.name = '${name}';\n${body}\nexports.createNodesV2 = exports.createNodes;\n`);
};
stub('bench-no-projects', "exports.createNodes = ['**/Dockerfile', () => []];");
const replay = (name, file) =>
  stub(
    name,
    [
      `exports.createNodes = ['**/Dockerfile', () => JSON.parse(require('fs').readFileSync(${JSON.stringify(join(template, file))}, 'utf8'))];`,
      'exports.createDependencies = () => [];',
    ].join('\n'),
  );
replay('bench-replay', 'recorded-results.json');
replay('bench-replay-required', 'recorded-results-required.json');

const workspaces = makeWorkspaces(
  template,
  {
    'no plugin': [],
    'a plugin worker, no projects': ['bench-no-projects'],
    "the plugin's results, replayed": ['bench-replay'],
    'the same without docker:drift, replayed': ['bench-replay-required'],
    '@imagewise/nx-plugin': ['@imagewise/nx-plugin'],
  },
  servicesLayout(services),
);
measure(workspaces, { runs: Number(values.runs) });
measure(workspaces, { runs: Number(values.runs), cold: false });
removeAll(...Object.values(workspaces), template);
