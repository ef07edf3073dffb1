/**
 * @module
 * Placeholder surface: ui arrive with their issues.
 */
export {};
