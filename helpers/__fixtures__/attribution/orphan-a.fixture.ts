import { holdForever } from './orphan';

holdForever('orphan-a');
