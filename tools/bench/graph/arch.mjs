// Benchmark (issue 13): the plugin's added cost per image of `nx show projects`
// (daemon off) on an architecture-per-directory repository — 600 Dockerfiles
// in images/<name>/<arch>/, no project files — against the same figure for the
// 1,000-service workspace of run.mjs. All four workspaces are measured in one
// interleaved series, so load on this shared machine falls on both alike.
//   node tools/bench/graph/arch.mjs [--dockerfiles 600] [--services 1000] [--runs 5] [--tarball path/to/imagewise-nx-plugin.tgz]
import { parseArgs } from 'node:util';
import { generateArchWorkspace } from './generate.mjs';
import { installTemplate, makeWorkspaces, measure, pluginTarball, removeAll, servicesLayout } from './measure.mjs';

const { values } = parseArgs({
  options: {
    dockerfiles: { type: 'string', default: '600' },
    services: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    tarball: { type: 'string' },
  },
});
const dockerfiles = Number(values.dockerfiles);
const services = Number(values.services);
const template = installTemplate(pluginTarball(values.tarball));
const servicesWorkspaces = makeWorkspaces(template, { 'services, no plugin': [], 'services, plugin': ['@imagewise/nx-plugin'] }, servicesLayout(services));
const archWorkspaces = makeWorkspaces(template, { 'arch, no plugin': [], 'arch, plugin': ['@imagewise/nx-plugin'] }, (root, plugins) =>
  generateArchWorkspace(root, { dockerfiles, plugins }),
);
const workspaces = { ...servicesWorkspaces, ...archWorkspaces };
// The services workspace has 30 base images besides its services.
const images = { services: services + 30, arch: dockerfiles };
for (const cold of [true, false]) {
  const medians = measure(workspaces, { runs: Number(values.runs), cold });
  for (const layout of ['services', 'arch']) {
    const added = medians[`${layout}, plugin`] - medians[`${layout}, no plugin`];
    console.log(`${layout}: the plugin adds ${Math.round(added)} ms for ${images[layout]} images: ${(added / images[layout]).toFixed(2)} ms per image`);
  }
}
removeAll(...Object.values(workspaces), template);
