import { concurrentFile } from './concurrent-files';

concurrentFile('A', 'B');
