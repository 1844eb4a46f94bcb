// The loader's process entry. Its tables' migrations are `@ies/loader/migrations`, applied
// first by the services that read those tables; the reads tables are read through `@ies/reads`.
export { startLoaderService } from './main.js';
