// Benchmark: `nx show projects` (daemon off) on one generated workspace with no
// plugin, with @imagewise/nx-plugin and with @nx/docker, cold (.nx removed) and
// warm (.nx kept), interleaved; median and spread of wall time, and peak RSS of the nx process tree.
//   node tools/bench/graph/run.mjs [--services 1000] [--runs 5] [--tarball path/to/imagewise-nx-plugin.tgz]
// --tarball measures another build of the plugin (e.g. an earlier commit's pack) in the same way.
import { parseArgs } from 'node:util';
import { installTemplate, makeWorkspaces, measure, pluginTarball, removeAll, servicesLayout } from './measure.mjs';

const { values } = parseArgs({
  options: { services: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' }, tarball: { type: 'string' } },
});
const services = Number(values.services);

const template = installTemplate(pluginTarball(values.tarball), { '@nx/docker': '23.2.1' });
const workspaces = makeWorkspaces(
  template,
  {
    'no plugin': [],
    '@imagewise/nx-plugin': ['@imagewise/nx-plugin'],
    '@nx/docker 23.2.1': ['@nx/docker'],
  },
  servicesLayout(services),
);
measure(workspaces, { runs: Number(values.runs) });
measure(workspaces, { runs: Number(values.runs), cold: false });
removeAll(...Object.values(workspaces), template);
