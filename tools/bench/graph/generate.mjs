// Generates benchmark workspaces (deterministic, no randomness). Each
// generator returns how many projects \`nx show projects\` must list.
//   generateWorkspace: the internal library, 30 base images in 3 levels, and
//     N services spread over them, each a package.json project.
//   generateArchWorkspace: images with one directory per architecture and no
//     project files (a docker-library style repository), N Dockerfiles in all.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
const digest = (n) => `sha256:${n.toString(16).padStart(64, '0')}`;

export function generateWorkspace(root, { services = 1000, basesPerLevel = 10, plugins = [] } = {}) {
  const files = {
    'package.json': json({ name: 'bench', private: true, workspaces: ['packages/*', 'images/*', 'services/*'] }),
    'nx.json': json({
      namedInputs: { default: ['{projectRoot}/**/*'], production: ['default', '!{projectRoot}/**/*.spec.ts'], dockerImage: ['production'] },
      plugins,
    }),
    'packages/common/package.json': json({ name: '@acme/common', version: '1.5.0' }),
    'packages/common/src/index.ts': 'export const VERSION = "1.5.0";\n',
  };
  const bases = [];
  for (let level = 1; level <= 3; level++) {
    for (let i = 0; i < basesPerLevel; i++) {
      const name = `base-l${level}-${i}`;
      bases.push(name);
      const from = level === 1 ? (i % 2 ? 'python:3.11-slim-bookworm' : 'node:18-bookworm-slim') : `base-l${level - 1}-${i}`;
      files[`images/${name}/package.json`] = json({ name, version: '1.0.0', private: true });
      files[`images/${name}/Dockerfile`] = `ARG COMMON_VERSION=1.5.0\nFROM ${from}\nARG COMMON_VERSION\nRUN echo ${name}\n`;
      if (level === 1) files[`images/${name}/imagewise.lock.json`] = json({ upstream: { [`docker.io/library/${from}`]: digest(i % 2 ? 1 : 2) } });
    }
  }
  for (let i = 0; i < services; i++) {
    const name = `service-${String(i).padStart(4, '0')}`;
    files[`services/${name}/package.json`] = json({ name, version: '0.1.0', private: true, dependencies: { '@acme/common': '^1.4.0' } });
    files[`services/${name}/Dockerfile`] = [
      `FROM ${bases[i % bases.length]} AS build`,
      'COPY package.json src ./',
      'RUN npm run build',
      `FROM ${bases[(i * 7) % bases.length]}`,
      'COPY --from=build /app/dist /app',
      'CMD ["node", "/app/main.js"]',
      '',
    ].join('\n');
    files[`services/${name}/.dockerignore`] = 'node_modules\n*.md\n';
    files[`services/${name}/src/main.ts`] = `console.log(${JSON.stringify(name)});\n`;
  }
  writeFiles(root, files);
  return 1 + bases.length + services;
}

const ARCHITECTURES = ['amd64', 'arm32v7', 'arm64v8', 'i386', 'ppc64le', 's390x'];

/**
 * `images/<name>/<arch>/Dockerfile` for `dockerfiles / 6` names: every
 * project directory shares its name with a hundred others, and only the
 * plugin makes projects of them (none has a package.json or project.json,
 * unless `projectFiles`: a baseline of what Nx itself costs for those projects).
 */
export function generateArchWorkspace(root, { dockerfiles = 600, plugins = [], projectFiles = false } = {}) {
  const files = {
    'package.json': json({ name: 'bench-arch', private: true, workspaces: ['packages/*'] }),
    'nx.json': json({ namedInputs: { default: ['{projectRoot}/**/*'], production: ['default'], dockerImage: ['production'] }, plugins }),
    'packages/common/package.json': json({ name: '@acme/common', version: '1.5.0' }),
  };
  const names = Math.ceil(dockerfiles / ARCHITECTURES.length);
  let count = 0;
  for (let i = 0; i < names && count < dockerfiles; i++) {
    const name = `tool-${String(i).padStart(3, '0')}`;
    files[`images/${name}/README.md`] = `# ${name}\n`;
    for (const arch of ARCHITECTURES) {
      if (count++ === dockerfiles) break;
      files[`images/${name}/${arch}/Dockerfile`] = [
        `FROM ${arch}/debian:bookworm-slim`,
        `ARG VERSION=1.${i}.0`,
        'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates',
        `COPY entrypoint.sh /usr/local/bin/${name}`,
        `ENTRYPOINT ["${name}"]`,
        '',
      ].join('\n');
      files[`images/${name}/${arch}/entrypoint.sh`] = `#!/bin/sh\nexec echo ${name} ${arch} "$@"\n`;
      // For a baseline: the same projects made by Nx from project files, without the plugin.
      if (projectFiles) files[`images/${name}/${arch}/project.json`] = json({ name: `${name}-${arch}` });
    }
  }
  writeFiles(root, files);
  return 1 + (projectFiles || plugins.includes('@imagewise/nx-plugin') ? dockerfiles : 0);
}

function writeFiles(root, files) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}
