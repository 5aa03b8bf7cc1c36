#!/usr/bin/env node
// Build-time step: writes nsfwjs' Inception v3 in the standard TF.js layers-model layout (model.json
// plus .bin weight files) from the npm package's browserify modules, which wrap the same content as a
// JavaScript object literal (topology and weights manifest) and base64 strings (the weight shards).
// The C# importer (NeuralArt.Graphs.Import) then reads that layout like any other TF.js model.
// Usage: node nsfwjs-to-tfjs.js <node_modules folder> <output folder>
'use strict';
const fs = require('fs');
const path = require('path');

const [nodeModules, output] = process.argv.slice(2);
if (!nodeModules || !output) {
  console.error('usage: nsfwjs-to-tfjs.js <node_modules folder> <output folder>');
  process.exit(2);
}
const source = path.join(path.resolve(nodeModules), 'nsfwjs', 'dist', 'models', 'inception_v3');
const model = require(path.join(source, 'model.min.js'));
if (!model.modelTopology || !Array.isArray(model.weightsManifest)) {
  throw new Error(`${source}/model.min.js does not export a TF.js layers model.`);
}
fs.mkdirSync(output, { recursive: true });

const weightsManifest = model.weightsManifest.map(group => ({
  ...group,
  paths: group.paths.map(shard => {
    const bytes = Buffer.from(require(path.join(source, `${shard}.min.js`)), 'base64');
    const file = `${shard}.bin`;
    fs.writeFileSync(path.join(output, file), bytes);
    return file;
  }),
}));
const json = {
  format: 'layers-model',
  generatedBy: `keras v${model.modelTopology.keras_version}`,
  convertedBy: 'NeuralArt models/tools/nsfwjs-to-tfjs.js from the npm package nsfwjs',
  modelTopology: model.modelTopology,
  weightsManifest,
};
fs.writeFileSync(path.join(output, 'model.json'), JSON.stringify(json));
console.log(`Wrote ${path.join(output, 'model.json')} and ${weightsManifest.reduce((n, g) => n + g.paths.length, 0)} weight files.`);
