import type { Command } from '../command.js';
import { deleteUserCommand } from './delete-user.js';
import { doctorCommand } from './doctor.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { lsCommand } from './ls.js';
import { migrateCommand } from './migrate.js';
import { pruneCommand } from './prune.js';
import { showCommand } from './show.js';

/** Every command, in the order `sessions help` lists them. */
export const COMMANDS: readonly Command[] = Object.freeze([
  lsCommand,
  showCommand,
  migrateCommand,
  exportCommand,
  importCommand,
  pruneCommand,
  deleteUserCommand,
  doctorCommand,
]);
