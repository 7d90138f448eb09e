// Hostile project files beside a Dockerfile: JSON, TOML and requirements
// that are not what they claim, pathological .dockerignore files, and images
// that build FROM each other.
import { KiB, json } from './catalogue-kit.mjs';

export function invalidProjectFiles({ dockerfile }) {
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
}

export function dockerignores({ dockerfile }) {
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
}

export function imageGraphs({ add }) {
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
}
