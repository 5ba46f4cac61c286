using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// The log messages every runtime writes about its instances. Each runtime keeps its own block of event ids
/// (exec 20xx, container 50xx), which operators filter on, so the ids are given per runtime rather than fixed here.
/// </summary>
internal sealed class RuntimeLog
{
    private readonly ILogger _logger;
    private readonly Action<ILogger, string, string, Exception?> _failed;
    private readonly Action<ILogger, string, string, string, Exception?> _exited;
    private readonly Action<ILogger, string, Exception?> _stopped;
    private readonly Action<ILogger, string, Exception?> _removed;
    private readonly Action<ILogger, string, string, Exception?> _skippedDirectory;
    private readonly Action<ILogger, string, string, string, Exception?> _refusedTransition;
    private readonly Action<ILogger, string, string, Exception?> _actionFailed;
    private readonly Action<ILogger, string, Exception?> _rotated;

    /// <param name="logger">The runtime's logger.</param>
    /// <param name="firstId">The runtime's block: Failed is <c>firstId + 2</c> up to ActionFailed at <c>firstId + 9</c>.</param>
    /// <param name="rotatedId">Log rotation came later to each runtime and got the next free id of its block.</param>
    public RuntimeLog(ILogger logger, int firstId, int rotatedId)
    {
        _logger = logger;
        _failed = LoggerMessage.Define<string, string>(
            LogLevel.Warning, new EventId(firstId + 2, nameof(Failed)), "Instance {Instance} failed: {Reason}");
        _exited = LoggerMessage.Define<string, string, string>(
            LogLevel.Information, new EventId(firstId + 3, nameof(Exited)), "Instance {Instance} exited: {Detail}; {Outcome}");
        _stopped = LoggerMessage.Define<string>(
            LogLevel.Information, new EventId(firstId + 5, nameof(Stopped)), "Instance {Instance} stopped");
        _removed = LoggerMessage.Define<string>(
            LogLevel.Information, new EventId(firstId + 6, nameof(Removed)), "Instance {Instance} removed");
        _skippedDirectory = LoggerMessage.Define<string, string>(
            LogLevel.Warning, new EventId(firstId + 7, nameof(SkippedDirectory)), "Instance directory {Dir} skipped: {Reason}");
        _refusedTransition = LoggerMessage.Define<string, string, string>(
            LogLevel.Warning, new EventId(firstId + 8, nameof(RefusedTransition)),
            "Instance {Instance}: status change {From} -> {To} refused by the transition table");
        _actionFailed = LoggerMessage.Define<string, string>(
            LogLevel.Warning, new EventId(firstId + 9, nameof(ActionFailed)), "Instance {Instance}: {Action} failed");
        _rotated = LoggerMessage.Define<string>(
            LogLevel.Debug, new EventId(rotatedId, nameof(Rotated)), "Instance {Instance}: log rotated");
    }

    public void Failed(string instance, string reason) => _failed(_logger, instance, reason, null);

    public void Exited(string instance, string detail, string outcome) => _exited(_logger, instance, detail, outcome, null);

    public void Stopped(string instance) => _stopped(_logger, instance, null);

    public void Removed(string instance) => _removed(_logger, instance, null);

    public void SkippedDirectory(string dir, string reason) => _skippedDirectory(_logger, dir, reason, null);

    public void RefusedTransition(string instance, string from, string to) => _refusedTransition(_logger, instance, from, to, null);

    public void ActionFailed(Exception exception, string instance, string action) => _actionFailed(_logger, instance, action, exception);

    public void Rotated(string instance) => _rotated(_logger, instance, null);
}
