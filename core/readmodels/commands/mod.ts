/**
 * @module
 * The command read model (requested → dispatched → acked | failed | expired) and its queries.
 */
export {
  commandIdOf,
  type CommandRow,
  commands,
  type CommandStatus,
  evolveCommand,
  isFinalStatus,
} from "./model.ts";
export { getCommand, listCommands, type ListCommandsOptions, listOpenCommands } from "./queries.ts";
