import { holdForever } from './orphan';

holdForever('orphan-b');
