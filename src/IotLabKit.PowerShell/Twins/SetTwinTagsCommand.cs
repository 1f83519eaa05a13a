using System.Management.Automation;
using System.Text.Json.Nodes;
using IotLabKit.PowerShell.Output;
using IotLabKit.Service;

namespace IotLabKit.PowerShell.Twins;

/// <summary>
/// Sets tags on a device twin (a merge patch: given tags change, $null deletes, others stay) and returns the
/// updated twin. -Replace swaps all tags instead. Tags are for the back end only; devices never see them.
/// </summary>
[Cmdlet(VerbsCommon.Set, "TwinTags", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(TwinView.TypeName)]
public sealed class SetTwinTagsCommand : TwinWriteCmdlet
{
    private protected override string SectionName => "tags";

    private protected override JsonObject Wrap(JsonObject section) => new() { ["tags"] = section };

    private protected override JsonObject KeepOnReplace(Twin current)
    {
        var desired = current.Properties.Desired.ToJsonObject();
        desired.Remove("$metadata");
        desired.Remove("$version");
        return new JsonObject { ["properties"] = new JsonObject { ["desired"] = desired } };
    }
}
