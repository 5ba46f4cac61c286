namespace Canopy.Cli.Interaction;

public enum OutputFormat
{
    Table,
    Json,
}
