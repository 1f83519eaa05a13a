namespace IotLabKit.PowerShell.Telemetry;

/// <summary>
/// The base of the consumer-group cmdlets: emulator only, because a real hub manages its consumer groups through
/// Azure Resource Manager, not with the service credentials these cmdlets hold.
/// </summary>
public abstract class ConsumerGroupCmdlet : HubCmdlet
{
    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        RequireEmulator("a real IoT hub's consumer groups are managed through Azure Resource Manager, not with a service connection string.",
            "Use 'az iot hub consumer-group list|create|delete --hub-name <hub>' or the Azure portal (Hub settings > Built-in endpoints).");
    }
}
