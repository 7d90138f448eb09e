// Benchmark (issue 13): the plugin's added cost per image of `nx show projects`
// (daemon off) on an architecture-per-directory repository — 600 Dockerfiles
// in images/<name>/<arch>/, no project files — against the same figure for the
// 1,000-service workspace of run.mjs. All workspaces are measured in one
// interleaved series, so load on this shared machine falls on both alike. The
// services baseline has its 1,031 projects without the plugin (package.json
// each); the arch layout's has none, so a third arch workspace with a
// project.json per directory gives the like-for-like baseline.
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
// The services workspace's baseline has its projects (package.json each); this one gives the arch layout the same.
const archProjectFiles = makeWorkspaces(template, { 'arch, project.json each, no plugin': [] }, (root, plugins) =>
  generateArchWorkspace(root, { dockerfiles, plugins, projectFiles: true }),
);
const workspaces = { ...servicesWorkspaces, ...archWorkspaces, ...archProjectFiles };
// The services workspace has 30 base images besides its services.
const images = { services: services + 30, arch: dockerfiles };
for (const cold of [true, false]) {
  const medians = measure(workspaces, { runs: Number(values.runs), cold });
  for (const layout of ['services', 'arch']) {
    const added = medians[`${layout}, plugin`] - medians[`${layout}, no plugin`];
    console.log(`${layout}: the plugin adds ${Math.round(added)} ms for ${images[layout]} images: ${(added / images[layout]).toFixed(2)} ms per image`);
  }
  // Nx's own cost of 600 projects is in the arch figure above but in the services baseline: taken out here.
  const own = medians['arch, plugin'] - medians['arch, project.json each, no plugin'];
  console.log(`arch, against the same projects without the plugin: ${Math.round(own)} ms: ${(own / images.arch).toFixed(2)} ms per image`);
}
removeAll(...Object.values(workspaces), template);
