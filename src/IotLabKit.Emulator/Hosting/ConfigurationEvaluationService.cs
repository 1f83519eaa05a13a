using IotLabKit.Emulator.Core.Configurations;
using Microsoft.Extensions.Hosting;

namespace IotLabKit.Emulator.Hosting;

/// <summary>Runs the <see cref="ConfigurationScheduler"/> for the life of the emulator.</summary>
public sealed class ConfigurationEvaluationService(ConfigurationScheduler scheduler) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => scheduler.RunAsync(stoppingToken);
}
