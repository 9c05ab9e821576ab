export { createGoogleService } from './service';
