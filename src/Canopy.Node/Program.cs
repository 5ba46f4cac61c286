using Canopy.Node;

return await NodeProgram.RunAsync(args);
