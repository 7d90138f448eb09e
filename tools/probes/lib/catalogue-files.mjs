// Hostile inputs of the file system: graph files that are not regular files,
// symlinks leading out of the workspace, huge files and binary garbage.
import { join } from 'node:path';
import { KiB, MiB } from './catalogue-kit.mjs';

/** Names of the graph files the plugin reads in an image directory. */
const GRAPH_FILES = ['Dockerfile', '.dockerignore', 'project.json', 'package.json', 'imagewise.lock.json', 'requirements.txt', 'pyproject.toml'];

export function notRegularFiles({ add }) {
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
}

/** `outside` is a directory outside the workspace holding the files of `outsideFiles`. */
export function symlinksOutside({ add }, outside) {
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
}

export function hugeFiles({ dockerfile }) {
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
}

export function binaryGarbage({ dockerfile }, random) {
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
