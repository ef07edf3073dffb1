/**
 * @module
 * Placeholder surface: processors arrive with their issues.
 */
export {};
