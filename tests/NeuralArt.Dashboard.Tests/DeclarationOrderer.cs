using Xunit.Abstractions;
using Xunit.Sdk;

namespace NeuralArt.Dashboard.Tests;

/// <summary>
/// Runs a class's tests in the order they are written. Each test stands alone; the order only makes
/// the screenshots tell the story (the gallery comes after the jobs that fill it).
/// </summary>
public sealed class DeclarationOrderer : ITestCaseOrderer
{
    public const string TypeName = "NeuralArt.Dashboard.Tests." + nameof(DeclarationOrderer);
    public const string AssemblyName = "NeuralArt.Dashboard.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.ToRuntimeMethod().MetadataToken);
}
