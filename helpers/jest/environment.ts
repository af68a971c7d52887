// PLACEHOLDER (lead, to be replaced by the log-attribution work).
import NodeEnvironment from 'jest-environment-node';
export default class E2EEnvironment extends NodeEnvironment {}
