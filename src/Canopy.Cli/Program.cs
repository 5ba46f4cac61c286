using Canopy.Cli;
using Canopy.Cli.Commands;

return await CanopyCommand.RunAsync(args);
