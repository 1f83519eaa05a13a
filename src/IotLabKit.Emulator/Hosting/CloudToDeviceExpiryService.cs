using IotLabKit.Emulator.Core.CloudToDevice;
using Microsoft.Extensions.Hosting;

namespace IotLabKit.Emulator.Hosting;

/// <summary>Expires cloud-to-device messages and feedback for the life of the emulator.</summary>
public sealed class CloudToDeviceExpiryService(CloudToDeviceQueue queue) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => queue.RunExpiryAsync(stoppingToken);
}
