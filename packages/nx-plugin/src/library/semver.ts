// The semver functions the library uses, each from its own module: semver's
// index loads all of semver, and graph code runs on every Nx command.
export { default as eq } from 'semver/functions/eq';
export { default as satisfies } from 'semver/functions/satisfies';
export { default as valid } from 'semver/functions/valid';
export { default as validRange } from 'semver/ranges/valid';
