/** Placeholder for the plugin API (handler engine issue). @module */
export {};
