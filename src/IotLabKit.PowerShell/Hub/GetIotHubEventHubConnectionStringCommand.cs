using System.Management.Automation;
using IotLabKit.PowerShell.Common;
using IotLabKit.PowerShell.Session;

namespace IotLabKit.PowerShell.Hub;

/// <summary>
/// Gets the connection string of the emulator's built-in Event Hubs-compatible endpoint (what the Azure portal shows
/// under "Built-in endpoints"), for Event Hubs readers such as <c>EventHubConsumerClient</c>: a SecureString unless
/// -AsPlainText. A real hub's string comes from the portal or <c>az iot hub connection-string show --default-eventhub</c>.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IotHubEventHubConnectionString")]
[OutputType(typeof(System.Security.SecureString), typeof(string))]
public sealed class GetIotHubEventHubConnectionStringCommand : IotLabKitCmdlet
{
    /// <summary>The shared access policy whose key the string carries (default <c>service</c>; it needs ServiceConnect).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string PolicyName { get; set; } = "service";

    /// <summary>Returns the connection string as plain text instead of a SecureString.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var status = HubSession.Emulator?.Status;
        if (status is null)
            Fail("NoEmulator", ErrorCategory.ObjectNotFound,
                "This session has not started an emulator, so there is no Event Hubs-compatible endpoint to describe.",
                recommendedAction: "Run Start-IotHubEmulator first. For a real hub, copy the string from the Azure portal (Hub settings > Built-in endpoints) or run 'az iot hub connection-string show --default-eventhub'.");
        if (string.IsNullOrEmpty(status!.EventHubConnectionString))
            Fail("EndpointUnavailable", ErrorCategory.NotImplemented,
                "The running emulator does not report an Event Hubs-compatible endpoint (it is older than this module).",
                recommendedAction: "Restart it with Start-IotHubEmulator -Force.");
        if (!status.Policies.ContainsKey(PolicyName))
            Fail("PolicyNotFound", ErrorCategory.ObjectNotFound,
                $"The hub has no shared access policy '{PolicyName}'; it has {string.Join(", ", status.Policies.Keys.Select(k => $"'{k}'"))}.",
                target: PolicyName);
        var text = EventHubEndpoint.ConnectionString(status, PolicyName)!;
        WriteObject(SecretText.Output(text, AsPlainText));
    }
}
