using IotLabKit.HelpCompiler;

// Usage: IotLabKit.HelpCompiler <module.dll> <help-dir> <output.xml> <references.txt>
// Problems are printed as MSBuild warnings (file: warning CODE: text) so a missing page never breaks a build.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: IotLabKit.HelpCompiler <module.dll> <help-dir> <output.xml> <references.txt>");
    return 2;
}
var (assemblyPath, helpDir, outputPath, referencesFile) = (args[0], args[1], args[2], args[3]);
var references = File.ReadAllLines(referencesFile).Where(l => l.Length > 0);
var cmdlets = CmdletMetadata.Load(assemblyPath, references).OrderBy(c => c.Noun).ThenBy(c => c.Verb).ToList();

var pages = new List<(CmdletMetadata, HelpMarkdown)>();
foreach (var cmdlet in cmdlets)
{
    var file = Path.Combine(helpDir, cmdlet.Name + ".md");
    if (!File.Exists(file))
    {
        Console.WriteLine($"{Path.GetFullPath(file)}: warning IOTHELP001: {cmdlet.Name} has no help page.");
        continue;
    }
    var help = HelpMarkdown.Parse(cmdlet.Name, File.ReadAllText(file));
    foreach (var p in cmdlet.Parameters.Where(p => !p.DontShow && !help.Parameters.ContainsKey(p.Name)))
        Console.WriteLine($"{Path.GetFullPath(file)}: warning IOTHELP002: parameter -{p.Name} of {cmdlet.Name} is not documented.");
    foreach (var name in help.Parameters.Keys.Where(n => cmdlet.Parameters.All(p => !p.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        Console.WriteLine($"{Path.GetFullPath(file)}: warning IOTHELP003: {cmdlet.Name} has no parameter -{name}.");
    if (help.Examples.Count == 0)
        Console.WriteLine($"{Path.GetFullPath(file)}: warning IOTHELP004: {cmdlet.Name} has no examples.");
    pages.Add((cmdlet, help));
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outputPath))!);
var xml = MamlWriter.Write(pages).ToString();
// Only rewrite when the content changed, so incremental builds stay quiet.
if (!File.Exists(outputPath) || File.ReadAllText(outputPath) != xml)
    File.WriteAllText(outputPath, xml);
return 0;
