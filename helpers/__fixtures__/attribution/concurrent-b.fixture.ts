import { concurrentFile } from './concurrent-files';

concurrentFile('B', 'A');
