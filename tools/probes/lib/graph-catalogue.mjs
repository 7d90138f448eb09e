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
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, seededRandom } from './common.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const json = (value) => `${JSON.stringify(value)}\n`;

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

/** Names of the graph files the plugin reads in an image directory. */
const GRAPH_FILES = ['Dockerfile', '.dockerignore', 'project.json', 'package.json', 'imagewise.lock.json', 'requirements.txt', 'pyproject.toml'];

/** Text real Dockerfiles of this repository are made of: what the fuzz set mutates. */
export function realDockerfiles() {
  const found = [];
  for (const top of ['images', 'services']) {
    for (const name of readdirSync(join(REPO_ROOT, top))) {
      const path = join(REPO_ROOT, top, name, 'Dockerfile');
      if (existsSync(path)) found.push(readFileSync(path, 'utf8'));
    }
  }
  return found;
}

/**
 * The catalogue. The planted marker is in files where the plugin must never read
 * it (files outside the workspace, this process's environment); `outside` is
 * a directory outside the workspace holding those files.
 */
export function catalogue({ seed = 1, fuzz = 300, outside }) {
  const random = seededRandom(seed);
  const inputs = [];
  const add = (category, id, spec) => inputs.push({ category, id, dirs: [`services/${id}`], files: {}, ...spec });
  const dockerfile = (id, text, more = {}) => add(more.category ?? 'text', id, { ...more, files: { [`services/${id}/Dockerfile`]: text, ...more.files } });

  // Graph files that are not regular files: each kind as each graph file.
  for (const file of GRAPH_FILES) {
    const slug = file.replace(/^\./, '').replace(/\./g, '-').toLowerCase();
    const healthyDockerfile = file === 'Dockerfile' ? {} : { [`services/{id}/Dockerfile`]: 'FROM base\n' };
    const withId = (id) => Object.fromEntries(Object.entries(healthyDockerfile).map(([path, text]) => [path.replace('{id}', id), text]));
    add('not a regular file', `fifo-${slug}`, { files: withId(`fifo-${slug}`), fifos: [`services/fifo-${slug}/${file}`] });
    add('not a regular file', `dir-${slug}`, { files: withId(`dir-${slug}`), directories: [`services/dir-${slug}/${file}`] });
    add('not a regular file', `dangling-${slug}`, { files: withId(`dangling-${slug}`), links: { [`services/dangling-${slug}/${file}`]: 'no-such-file' } });
    add('not a regular file', `loop-${slug}`, { files: withId(`loop-${slug}`), links: { [`services/loop-${slug}/${file}`]: file } });
  }

  // Symlinks leading outside the workspace, to files holding the marker.
  const outsideFile = (name) => join(outside, name);
  const outsideLinks = {
    'outside-dockerfile': ['Dockerfile', outsideFile('Dockerfile')],
    'outside-environ': ['Dockerfile', '/proc/self/environ'],
    'outside-passwd': ['Dockerfile', '/etc/passwd'],
    'outside-relative': ['Dockerfile', '../../../../../../../../../../..' + outsideFile('Dockerfile')],
    'outside-dockerignore': ['.dockerignore', outsideFile('dockerignore')],
    'outside-lock': ['imagewise.lock.json', outsideFile('lock.json')],
    'outside-requirements': ['requirements.txt', outsideFile('requirements.txt')],
    'outside-pyproject': ['pyproject.toml', outsideFile('pyproject.toml')],
    // Nx reads project.json and package.json itself, through the link: in-process only.
    'outside-project-json': ['project.json', outsideFile('project.json'), 'Nx itself reads a project.json through a symlink'],
    'outside-package-json': ['package.json', outsideFile('package.json'), 'Nx itself reads a package.json through a symlink'],
  };
  for (const [id, [file, target, nxRefuses]] of Object.entries(outsideLinks)) {
    add('symlink outside', id, {
      files: file === 'Dockerfile' ? {} : { [`services/${id}/Dockerfile`]: 'FROM base\n' },
      links: { [`services/${id}/${file}`]: target },
      ...(nxRefuses ? { nx: false, nxWhy: nxRefuses } : {}),
    });
  }
  // A link inside the workspace to a link that leads out.
  add('symlink outside', 'outside-chain', {
    files: { 'services/outside-chain/inner/.keep': '' },
    links: { 'services/outside-chain/inner/hop': outsideFile('Dockerfile'), 'services/outside-chain/Dockerfile': 'inner/hop' },
  });
  // The whole directory a link to one outside: Nx does not follow it; the in-process run is given its Dockerfile anyway.
  add('symlink outside', 'outside-directory', {
    links: { 'services/outside-directory': outside },
    nx: false,
    nxWhy: 'Nx does not follow a symlinked directory',
  });

  // Sizes around the 1 MiB limit.
  const padded = (size, head = 'FROM base\n') => head + '#'.repeat(size - head.length - 1) + '\n';
  dockerfile('huge-dockerfile', padded(2 * MiB), { category: 'huge file' });
  dockerfile('limit-dockerfile', padded(MiB), { category: 'huge file' });
  dockerfile('over-limit-dockerfile', padded(MiB + 1), { category: 'huge file' });
  dockerfile('huge-dockerignore', 'FROM base\n', { category: 'huge file', files: { 'services/huge-dockerignore/.dockerignore': 'x\n'.repeat(3 * MiB) } });
  dockerfile('huge-package-json', 'FROM base\n', {
    category: 'huge file',
    files: { 'services/huge-package-json/package.json': `{"name":"huge-package-json","description":"${'x'.repeat(2 * MiB)}"}\n` },
  });
  dockerfile('huge-lock', 'FROM base\n', {
    category: 'huge file',
    files: { 'services/huge-lock/imagewise.lock.json': `{"upstream":{},"pad":"${'x'.repeat(2 * MiB)}"}\n` },
  });

  // Binary garbage, seeded: sizes from 1 KiB to just under the limit.
  for (const [index, size] of [1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB - 1].entries()) {
    dockerfile(`garbage-${index}`, random.bytes(size), { category: 'binary garbage' });
  }
  dockerfile('garbage-after-from', Buffer.concat([Buffer.from('FROM base\n'), random.bytes(32 * KiB)]), { category: 'binary garbage' });
  for (const file of ['.dockerignore', 'package.json', 'imagewise.lock.json', 'requirements.txt', 'pyproject.toml']) {
    const slug = file.replace(/^\./, '').replace(/\./g, '-');
    const nx = file === 'package.json' ? { nx: false, nxWhy: 'Nx itself refuses a package.json that is not JSON' } : {};
    dockerfile(`garbage-${slug}`, 'FROM base\n', { category: 'binary garbage', files: { [`services/garbage-${slug}/${file}`]: random.bytes(8 * KiB) }, ...nx });
  }

  // Encodings.
  const encoding = (id, text, more = {}) => dockerfile(id, text, { category: 'encoding', ...more });
  encoding('nul-bytes', 'FROM ba\0se\nRUN echo \0\0\0\n');
  encoding('nul-only', Buffer.alloc(4 * KiB));
  encoding('bom', '\uFEFFFROM base\nRUN true\n');
  encoding('crlf', 'FROM base\r\nRUN echo a \\\r\n  b\r\nCOPY . /app\r\n');
  encoding('cr-only', 'FROM base\rRUN true\r');
  encoding('utf16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('FROM base\nRUN true\n', 'utf16le')]));
  encoding('invalid-utf8', Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x0a, 0xf0, 0x28, 0x8c, 0x28, 0x0a]));
  encoding('terminal-escapes', 'FROM \u001b[2J\u001b[31mbase\u001b]0;title\u0007\nRUN \u202eevil\n');
  encoding('bom-package-json', 'FROM base\n', {
    files: { 'services/bom-package-json/package.json': `\uFEFF${json({ name: 'bom-package-json', version: '1.0.0' })}` },
    nx: false,
    nxWhy: 'Nx itself finds no name in a package.json that starts with a byte order mark',
  });
  // A directory name that would drive a terminal, quoted in every problem of its project.
  encoding('esc-\u001b[2J\u001b]0;x\u0007-name', 'FROM base\n', {
    files: { 'services/esc-\u001b[2J\u001b]0;x\u0007-name/package.json': '{"name": \n' },
    nx: false,
    nxWhy: 'Nx itself refuses a package.json that is not JSON',
  });
  encoding('crlf-dockerignore', 'FROM base\n', { files: { 'services/crlf-dockerignore/.dockerignore': 'node_modules\r\n*.md\r\n!README.md\r\n' } });

  // Long lines.
  const long = (id, text, more = {}) => dockerfile(id, text, { category: 'long line', ...more });
  long('from-64k', `FROM ${'a'.repeat(64 * KiB)}\n`);
  long('from-tag-64k', `FROM base:${'1'.repeat(64 * KiB)}\n`);
  long('from-registry-64k', `FROM ${'r'.repeat(64 * KiB)}.example.com/base\n`);
  long('stage-name-64k', `FROM base AS ${'s'.repeat(64 * KiB)}\nFROM ${'s'.repeat(64 * KiB)}\n`);
  long('arg-64k', `ARG A=${'v'.repeat(64 * KiB)}\nFROM base\nARG A\nRUN echo $A\n`);
  long('line-1m', `FROM base\nRUN ${'x'.repeat(MiB - 32)}\n`);
  long('continuations-10k', `FROM base\nRUN true${' \\\n  && true'.repeat(10_000)}\n`);
  long('from-continued-10k', `FROM \\\n${'\\\n'.repeat(10_000)}base\n`);

  // Stages: cycles, chains, many FROM lines.
  const stages = (id, text) => dockerfile(id, text, { category: 'stages' });
  const N = 10_000;
  stages('stage-cycle-10k', Array.from({ length: N }, (_, i) => `FROM scratch AS s${i}\nCOPY --from=s${(i + 1) % N} / /\n`).join('') + 'FROM base\n');
  stages('stage-chain-10k', `FROM base AS s0\n${Array.from({ length: N - 1 }, (_, i) => `FROM s${i} AS s${i + 1}\n`).join('')}`);
  stages('from-base-10k', 'FROM base\n'.repeat(N));
  stages('mount-cycle-1k', Array.from({ length: 1000 }, (_, i) => `FROM base AS m${i}\nRUN --mount=from=m${(i + 1) % 1000},target=/x true\n`).join(''));
  stages('copy-from-index', `FROM base\n${Array.from({ length: 1000 }, (_, i) => `COPY --from=${i + 5} / /\n`).join('')}`);

  // ARG chains and expansion.
  const args = (id, text) => dockerfile(id, text, { category: 'ARG chains' });
  args('arg-chain-10k', `ARG A0=base\n${Array.from({ length: N - 1 }, (_, i) => `ARG A${i + 1}=\${A${i}}\n`).join('')}FROM \${A${N - 1}}\n`);
  args('arg-nested-defaults-1k', `FROM ${'${X:-'.repeat(1000)}base${'}'.repeat(1000)}\n`);
  args('arg-unclosed-braces', `FROM ${'${'.repeat(10_000)}base\n`);
  // Each ARG twice the one before: 2^60 characters if expanded naively.
  args('arg-doubling-60', `ARG A0=ab\n${Array.from({ length: 60 }, (_, i) => `ARG A${i + 1}=\${A${i}}\${A${i}}\n`).join('')}FROM base:\${A60}\n`);
  args('arg-self-reference', 'ARG A=${A}${A}\nARG A=${A}${A}\nFROM ${A:-base}\n');
  args('arg-no-value', `${Array.from({ length: 100 }, (_, i) => `ARG V${i}\n`).join('')}FROM base:\${V99}\n`);

  // Here-documents and the escape directive.
  const doc = (id, text) => dockerfile(id, text, { category: 'heredoc / escape' });
  doc('heredoc-unclosed', 'FROM base\nRUN <<EOF\necho never closed\n');
  doc('heredoc-unclosed-1k', `FROM base\n${'RUN <<EOF\n'.repeat(1000)}`);
  doc('heredoc-many', `FROM base\n${'RUN <<A <<B\na\nA\nb\nB\n'.repeat(2000)}`);
  doc('heredoc-dash-unclosed', 'FROM base\nCOPY <<-"END" /x\n\tnever\n');
  doc('heredoc-long-name', `FROM base\nRUN <<${'E'.repeat(64 * KiB)}\n`);
  doc('escape-letter', '# escape=x\nFROM base\n');
  doc('escape-empty', '# escape=\nFROM base\n');
  doc('escape-long', `# escape=${'\\'.repeat(64 * KiB)}\nFROM base\n`);
  doc('escape-repeated', `${'# escape=`\n'.repeat(1000)}FROM base\n`);
  doc('escape-backtick-continuations', '# escape=`\nFROM `\nba`\nse\nRUN a \\\n b\n');
  doc('syntax-directive', `# syntax=${'x'.repeat(64 * KiB)}\n# escape=\u0000\nFROM base\n`);

  // JSON, TOML and requirements that are not what they claim.
  const structured = (id, file, text, more = {}) =>
    dockerfile(id, 'FROM base\n', { category: 'invalid project files', files: { [`services/${id}/${file}`]: text }, ...more });
  const nxRefusesProject = { nx: false, nxWhy: 'Nx itself refuses the whole graph over a project.json that is not a project' };
  const nxRefusesPackage = { nx: false, nxWhy: 'Nx itself refuses a package.json that is not JSON' };
  structured('project-json-truncated', 'project.json', '{"name": "project-json-truncated", "targets": {', nxRefusesProject);
  structured('project-json-array', 'project.json', '[]\n', nxRefusesProject);
  structured('project-json-deep', 'project.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, nxRefusesProject);
  structured(
    'project-json-bad-options',
    'project.json',
    json({
      name: 'project-json-bad-options',
      targets: { 'docker:build': { options: { imageName: 42, buildArgs: ['A=1'], tags: 'all', target: { x: 1 }, builder: 'nope' } } },
    }),
  );
  structured(
    'project-json-buildargs-objects',
    'project.json',
    json({
      name: 'project-json-buildargs-objects',
      targets: { 'docker:build': { options: { imageName: '../../etc', buildArgs: { A: { nested: true }, B: null, C: 7, ['x'.repeat(KiB)]: 'y' } } } },
    }),
  );
  structured(
    'project-json-long-name',
    'project.json',
    json({ name: 'project-json-long-name', targets: { 'docker:build': { options: { imageName: 'n'.repeat(64 * KiB) } } } }),
  );
  structured('package-json-truncated', 'package.json', '{"name": "package-json-truncated", "version": ', nxRefusesPackage);
  structured('package-json-deep', 'package.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, nxRefusesPackage);
  structured(
    'package-json-wrong-types',
    'package.json',
    json({ name: 'package-json-wrong-types', version: { major: 1 }, dependencies: ['@probes/lib'], imagewise: { pin: 'all' } }),
  );
  structured(
    'package-json-bad-ranges',
    'package.json',
    json({
      name: 'package-json-bad-ranges',
      version: '1.0.0',
      dependencies: { '@probes/lib': `${'>=1.0.0 <2.0.0 || '.repeat(2000)}^1`, other: 'x'.repeat(64 * KiB) },
    }),
  );
  structured('lock-truncated', 'imagewise.lock.json', '{"upstream": {"docker.io/library/node:18": "sha256:');
  structured('lock-wrong-types', 'imagewise.lock.json', json({ upstream: [1, 2, 3] }));
  structured('lock-bad-digests', 'imagewise.lock.json', json({ upstream: { 'docker.io/library/node:18': 'md5:zz', '': '', ['x'.repeat(64 * KiB)]: 5 } }));
  structured('lock-deep', 'imagewise.lock.json', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}\n`);
  structured('requirements-garbage', 'requirements.txt', `${'probes-lib['.repeat(5000)}\n-r requirements.txt\n-e ${'x'.repeat(64 * KiB)}\n`);
  structured('requirements-self-include', 'requirements.txt', '-r requirements.txt\n-c requirements.txt\n');
  structured('pyproject-invalid', 'pyproject.toml', '[project\nname = "x\ndependencies = [\n');
  structured('pyproject-deep', 'pyproject.toml', `[project]\nname = "x"\nversion = "1"\ndependencies = ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
  structured('pyproject-inline-deep', 'pyproject.toml', `[tool.poetry.dependencies]\nx = ${'{ a = '.repeat(20_000)}1${' }'.repeat(20_000)}\n`);

  // .dockerignore: long, many, pathological. A long file name in the context for the globs to chew on.
  const ignore = (id, text) =>
    dockerfile(id, 'FROM base\nCOPY . /\n', {
      category: '.dockerignore',
      files: { [`services/${id}/.dockerignore`]: text, [`services/${id}/${'a'.repeat(200)}`]: 'x\n', [`services/${id}/d/${'b/'.repeat(40)}f`]: 'x\n' },
    });
  ignore('ignore-long-line', `node_modules\n${'*'.repeat(70_000)}\n`);
  ignore('ignore-line-900k', `${'a/'.repeat(450_000)}\n`);
  ignore('ignore-100k-lines', Array.from({ length: 100_000 }, (_, i) => `dir${i}/**/*.tmp\n`).join(''));
  ignore('ignore-star-a', `${'a*'.repeat(2000)}b\n`);
  ignore('ignore-globstar', `${'**/'.repeat(2000)}x\n`);
  ignore('ignore-classes', `${'['.repeat(5000)}\n[!]\n[z-a]\n[\\\n`);
  ignore('ignore-braces', `${'{a,b}'.repeat(1000)}\n${'{'.repeat(5000)}\n`);
  ignore('ignore-questions', `${'?'.repeat(4096)}\n`);
  ignore('ignore-negations', Array.from({ length: 20_000 }, (_, i) => (i % 2 ? `!${'a'.repeat(200)}\n` : '*\n')).join(''));
  ignore('ignore-escapes', `${'\\'.repeat(10_000)}\n!\n!!\n/\n..\n../../..\n`);

  // Images that build FROM each other: a ring of 100, and two claiming one name.
  add('image graph', 'ring-100', {
    dirs: Array.from({ length: 100 }, (_, i) => `images/ring-${i}`),
    files: Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`images/ring-${i}/Dockerfile`, `FROM ring-${(i + 1) % 100}\n`])),
  });
  add('image graph', 'twins', {
    dirs: ['services/twin-a', 'services/twin-b', 'services/twin-user'],
    files: {
      'services/twin-a/project.json': json({ name: 'twin-a', targets: { 'docker:build': { options: { imageName: 'twin' } } } }),
      'services/twin-a/Dockerfile': 'FROM base\n',
      'services/twin-b/project.json': json({ name: 'twin-b', targets: { 'docker:build': { options: { imageName: 'twin' } } } }),
      'services/twin-b/Dockerfile': 'FROM base\n',
      'services/twin-user/Dockerfile': 'FROM twin\n',
    },
  });

  // Seeded mutations of this repository's real Dockerfiles.
  const sources = realDockerfiles();
  for (let i = 0; i < fuzz; i++) {
    const text = mutate(random, random.pick(sources));
    dockerfile(`fuzz-${String(i).padStart(3, '0')}`, text, { category: 'fuzz (mutated real Dockerfiles)' });
  }
  return inputs;
}

/** The files outside the workspace the symlinks lead to, each holding the marker. */
export function outsideFiles(marker) {
  return {
    Dockerfile: `FROM base\nRUN echo ${marker}\n${marker} ${marker}\n`,
    dockerignore: `${marker}\n`,
    'lock.json': `{"upstream": {"${marker}": "${marker}"}}\n`,
    'requirements.txt': `${marker}==1\n`,
    'pyproject.toml': `[project]\nname = "${marker}\n`,
    'project.json': `{"name": "outside-project-json", "targets": {"docker:build": {"options": {"imageName": "${marker}"}}}, "x": ${marker}}\n`,
    'package.json': `{"name": "outside-package-json", "version": "${marker}"\n`,
  };
}

const KEYWORDS = [
  'FROM',
  'RUN',
  'COPY',
  'ADD',
  'ARG',
  'ENV',
  'ONBUILD',
  'WORKDIR',
  'USER',
  'LABEL',
  'CMD',
  'ENTRYPOINT',
  'HEALTHCHECK',
  'SHELL',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'MAINTAINER',
];
const FRAGMENTS = [
  'base',
  'base:1.0.0',
  'node-base',
  '${BASE}',
  '${BASE:-base}',
  '${BASE:+x}',
  '$BASE',
  'AS build',
  'AS base',
  '--from=build',
  '--from=base',
  '--from=0',
  '--from=99',
  '--mount=from=base,target=/x',
  '--platform=$BUILDPLATFORM',
  '<<EOF',
  'EOF',
  '\\',
  '`',
  '#',
  '# escape=`',
  '# syntax=docker/dockerfile:1',
  '"',
  "'",
  '[',
  ']',
  '{',
  '}',
  '${',
  '}',
  '${A:-${B:-${C}}}',
  'scratch',
  '@sha256:' + '0'.repeat(64),
  'registry.example.com/platform/base',
  ':latest',
  '\t',
  '\u00a0',
  '\u200b',
  '\ud800',
];

/** One to four edits of a real Dockerfile: lines deleted, repeated, swapped, spliced; bytes flipped; fragments and keywords inserted. */
export function mutate(random, source) {
  let lines = source.split('\n');
  const edits = random.int(1, 4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(0, Math.max(0, lines.length - 1));
    switch (random.int(0, 9)) {
      case 0:
        lines.splice(at, 1);
        break;
      case 1:
        lines.splice(at, 0, ...Array(random.int(1, random.next() < 0.1 ? 2000 : 5)).fill(lines[at] ?? ''));
        break;
      case 2: {
        const other = random.int(0, lines.length - 1);
        [lines[at], lines[other]] = [lines[other], lines[at]];
        break;
      }
      case 3:
        lines.splice(at, 0, `${random.pick(KEYWORDS)} ${Array.from({ length: random.int(1, 4) }, () => random.pick(FRAGMENTS)).join(' ')}`);
        break;
      case 4: {
        const line = lines[at] ?? '';
        const cut = random.int(0, line.length);
        lines[at] = line.slice(0, cut) + random.pick(FRAGMENTS) + line.slice(cut);
        break;
      }
      case 5:
        lines = lines.slice(0, at);
        break;
      case 6: {
        const text = lines.join('\n');
        const cut = random.int(0, text.length);
        lines = (text.slice(0, cut) + random.bytes(random.int(1, 64)).toString('latin1') + text.slice(cut)).split('\n');
        break;
      }
      case 7:
        lines[at] = (lines[at] ?? '').replace(/\S+/g, (word) => (random.next() < 0.3 ? random.pick(FRAGMENTS) : word));
        break;
      case 8:
        lines.unshift(random.pick(['# escape=`', '# escape=x', '# syntax=x', `ARG BASE=${random.pick(FRAGMENTS)}`, '\uFEFF']));
        break;
      default:
        lines[at] = `${lines[at] ?? ''} \\`;
        break;
    }
  }
  return lines.join(random.next() < 0.1 ? '\r\n' : '\n');
}
