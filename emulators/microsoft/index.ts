export { createMicrosoftService } from './service';
