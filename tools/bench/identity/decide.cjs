// Run by run.mjs in a generated workspace (cwd): docker:build's fact-gathering
// (build-facts.ts, the packed plugin's) for every image in dependency order,
// with a registry that holds every content tag; prints timings as JSON.
const { createRequire } = require('node:module');
const { join } = require('node:path');

const workspace = process.cwd();
const load = createRequire(join(workspace, 'package.json'));
const { readCachedProjectGraph, readJsonFile } = load('nx/src/devkit-exports');
const { gatherBuildFacts } = load('@imagewise/nx-plugin/src/build/build-facts');
const { writeImageMetadata } = load('@imagewise/nx-plugin/src/build/image-metadata');

const DIGEST = `sha256:${'0'.repeat(64)}`;
// Every content tag is there, whole: the one question a reuse asks, answered at once.
const registry = { manifestDigest: async () => DIGEST, missingBlobs: async () => [] };
const engine = () => Promise.reject(new Error('a fresh runner whose registry holds every image needs no engine'));

(async () => {
  const projectGraph = readCachedProjectGraph();
  const nxJsonConfiguration = readJsonFile(join(workspace, 'nx.json'));
  const images = Object.keys(projectGraph.nodes).filter((name) => projectGraph.nodes[name].data.metadata?.imagewise);
  // Bases before the images built on them, as Nx schedules ^docker:build.
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const { target } of projectGraph.dependencies[name] ?? []) if (images.includes(target)) visit(target);
    order.push(name);
  };
  images.forEach(visit);

  const started = performance.now();
  for (const projectName of order) {
    const options = projectGraph.nodes[projectName].data.targets['docker:build'].options ?? {};
    const context = { root: workspace, projectName, targetName: 'docker:build', projectGraph, nxJsonConfiguration, cwd: workspace, isVerbose: false };
    const facts = await gatherBuildFacts(options, context, registry, engine);
    if (!facts.registryDigest) throw new Error(`${projectName}: no reuse decided`);
    writeImageMetadata(workspace, projectName, {
      image: facts.repository,
      digest: facts.registryDigest,
      tags: facts.tags,
      contentIdentity: facts.identity,
      baseImages: facts.baseImages,
      reused: true,
      buildSeconds: 0,
    });
  }
  const factsMs = performance.now() - started;
  process.stdout.write(JSON.stringify({ images: order.length, factsMs }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
