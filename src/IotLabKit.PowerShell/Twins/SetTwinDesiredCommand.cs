using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Twins;

/// <summary>
/// Sets desired properties on a device twin (a merge patch: given properties change, $null deletes, others stay)
/// and returns the updated twin. -Replace swaps the whole desired section instead.
/// </summary>
[Cmdlet(VerbsCommon.Set, "TwinDesired", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(TwinView.TypeName)]
public sealed class SetTwinDesiredCommand : TwinWriteCmdlet
{
    private protected override string SectionName => "desired properties";

    private protected override JsonObject Wrap(JsonObject section)
        => new() { ["properties"] = new JsonObject { ["desired"] = section } };

    private protected override JsonObject KeepOnReplace(Twin current)
    {
        var tags = current.Tags.ToJsonObject();
        tags.Remove("$metadata");
        tags.Remove("$version");
        return new JsonObject { ["tags"] = tags };
    }
}
