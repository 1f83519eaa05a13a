using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IotLabKit.Emulator.Hosting;

/// <summary>Stops the emulator when the process that started it (<c>--parent-pid</c>) exits, so none is left orphaned.</summary>
public sealed class ParentProcessWatcher(int parentPid, IHostApplicationLifetime lifetime, ILogger<ParentProcessWatcher> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Process parent;
        try { parent = Process.GetProcessById(parentPid); }
        catch (ArgumentException)
        {
            logger.LogWarning("Parent process {Pid} is not running; stopping.", parentPid);
            lifetime.StopApplication();
            return;
        }
        using (parent)
        {
            // Waiting on a process that is not our child is not portable; a one-second poll is cheap and sure.
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    parent.Refresh();
                    if (!parent.HasExited) continue;
                    logger.LogWarning("Parent process {Pid} exited; stopping.", parentPid);
                    lifetime.StopApplication();
                    return;
                }
            }
            catch (OperationCanceledException) { }
        }
    }
}
