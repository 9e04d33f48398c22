// What a runnable README block leaves to the reader (the names its fragment marker declares), faked for the run:
// loaded with `node --import` before the block, as globals, since a declared name compiles to a free identifier.
// Each fake answers without a network, and checks the arguments the README says it gets.

/** A model call: `callYourModel(history, { signal })` in the root README. */
globalThis.callYourModel = async (history, options) => {
  if (!Array.isArray(history)) throw new TypeError('callYourModel: history is not an array');
  options.signal.throwIfAborted();
  return `a reply after ${history.length} earlier messages`;
};

/** `model(history, signal)` in @sessions/core's README. */
globalThis.model = async (history, signal) => globalThis.callYourModel(history, { signal });
