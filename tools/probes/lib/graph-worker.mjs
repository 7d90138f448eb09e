// Runs the installed plugin's createNodesV2 and createDependencies as Nx does,
// in a worker thread so that graph-inputs.mjs can stop it if a call hangs.
// One message per input: the Dockerfiles Nx would hand the plugin.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const { workspaceRoot, nxJson, library, marker } = workerData;
// Resolved from the workspace, as Nx resolves a plugin named in nx.json.
const require = createRequire(join(workspaceRoot, 'package.json'));
const plugin = require('@imagewise/nx-plugin');
const options = undefined; // nx.json names the plugin without options

const said = [];
for (const method of ['log', 'info', 'warn', 'error', 'debug']) console[method] = (...args) => said.push(args.map(String).join(' '));

/** The name Nx gives a project: project.json's, else package.json's, else the directory's. */
function nameOf(root, config) {
  if (config.name) return config.name;
  for (const file of ['project.json', 'package.json']) {
    try {
      const name = JSON.parse(readFileSync(join(workspaceRoot, root, file), 'utf8')).name;
      if (typeof name === 'string' && name) return name;
    } catch {
      // unreadable or not JSON: Nx would refuse or skip it
    }
  }
  return basename(root);
}

parentPort.on('message', async ({ id, dockerfiles }) => {
  said.length = 0;
  const started = performance.now();
  try {
    const results = await plugin.createNodesV2[1](dockerfiles, options, { workspaceRoot, nxJsonConfiguration: nxJson });
    const nodesMs = performance.now() - started;
    const projects = {
      [library.name]: { root: library.root, name: library.name, metadata: { js: { packageName: library.name, packageVersion: library.version } } },
    };
    let externalNodes = {};
    const roots = [];
    for (const [, result] of results) {
      externalNodes = { ...externalNodes, ...result.externalNodes };
      for (const [root, config] of Object.entries(result.projects ?? {})) {
        roots.push(root);
        let name = nameOf(root, config);
        if (projects[name]) name = root;
        projects[name] = { ...config, name, root };
      }
    }
    const edges = await plugin.createDependencies(options, {
      projects,
      externalNodes,
      workspaceRoot,
      nxJsonConfiguration: nxJson,
      fileMap: { projectFileMap: {}, nonProjectFiles: [] },
      filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    });
    const ms = performance.now() - started;
    const problems = Object.values(projects).flatMap((project) => project.metadata?.imagewise?.problems ?? []);
    const everything = JSON.stringify({ results, edges }) + said.join('\n');
    parentPort.postMessage({
      id,
      ms,
      nodesMs,
      roots,
      names: Object.fromEntries(Object.values(projects).map((project) => [project.root, project.name])),
      edges: edges.map(({ source, target }) => [source, target]),
      said: [...said],
      problems,
      markerSeen: everything.includes(marker),
    });
  } catch (error) {
    parentPort.postMessage({ id, ms: performance.now() - started, threw: String(error?.stack ?? error).slice(0, 2000), said: [...said] });
  }
});
parentPort.postMessage({ ready: true });
