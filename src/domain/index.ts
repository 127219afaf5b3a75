/** The studio's own words (DESIGN.md §2): types and small pure helpers every floor imports. */
export * from './backend';
export * from './dataset';
export * from './frozen-prefix';
export * from './layers';
export * from './lr-find';
export * from './model';
export * from './params';
export * from './probe';
export * from './ranges';
export * from './run';
export * from './settings';
export * from './shape';
