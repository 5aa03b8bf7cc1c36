using NeuralArt.Graphs.Compilation;
using NeuralArt.Graphs.Import;
using NeuralArt.Graphs.Manifests;
using NeuralArt.Graphs.Objectives;
using NeuralArt.Graphs.Tests.Harness;
using NeuralArt.Graphs.Tests.Reference;
using Onnx;
using Xunit.Abstractions;

namespace NeuralArt.Graphs.Tests.Backbone;

/// <summary>
/// The shipped Inception v3 (nsfwjs' Keras model), imported from the TF.js files the build writes
/// (models/backbones/inception_v3_tfjs/) and compiled with models/inception_v3.json. Two checks, kept
/// few and small for CI: the compiler's surgery (BatchNorm folding, pool/ReLU swaps) keeps the
/// imported network's features at its native 299x299, and the recommended dream taps' gradient
/// matches float64 finite differences at an odd size. `neuralart models check inception_v3` checks
/// each tap separately against float32 differences.
/// </summary>
public sealed class InceptionV3Tests(InceptionV3Tests.Fixture inception, ITestOutputHelper output) : IClassFixture<InceptionV3Tests.Fixture>
{
    /// <summary>The topology's input size.</summary>
    private const int NativeSize = 299;

    /// <summary>Compiled against imported features: max |diff| over the tap's max |value| (float32 reassociation only).</summary>
    private const double FeatureTolerance = 1e-4;

    /// <summary>The same bound as the small networks and ResNet-18.</summary>
    private const double GradientTolerance = 1e-3;

    /// <summary>Step for float64 differences; see <see cref="DreamCheck.Step"/>.</summary>
    private const double ReferenceStep = 1e-6;

    /// <summary>ONNX Runtime threads: the CI machine's two cores.</summary>
    private const int Threads = 2;

    private static readonly string[] FeatureTaps = ["stem3", "stem5", "mixed0", "mixed2", "mixed3", "mixed5", "mixed7", "mixed8", "mixed10"];

    public sealed class Fixture
    {
        public Fixture()
        {
            var models = ModelCatalog.Locate().Directory;
            var modelJson = Path.Combine(models, "backbones", "inception_v3_tfjs", "model.json");
            Assert.True(File.Exists(modelJson), $"{modelJson} is missing: run 'npm ci' in the repository, then build (models/Backbones.targets writes it).");
            Model = TfjsImporter.Import(modelJson).Model;
            Manifest = BackboneManifest.Load(Path.Combine(models, "inception_v3.json"));
            Reference = new Lazy<ReferenceModel>(() => new ReferenceModel(Model));
        }

        public BackboneManifest Manifest { get; }

        internal ModelProto Model { get; }

        internal Lazy<ReferenceModel> Reference { get; }
    }

    [Fact]
    public void Compiled_features_equal_the_imported_network_at_299()
    {
        var tensors = FeatureTaps.Select(inception.Manifest.ResolveTap).ToList();
        var (image32, _) = TestImages.Random(NativeSize, NativeSize, seed: 299);
        var original = inception.Model.Clone();
        foreach (var tensor in tensors) original.Graph.Output.Add(new ValueInfoProto { Name = tensor });
        var preprocessed = ReferenceObjectives.Preprocess(new RefTensor([1, 3, NativeSize, NativeSize], image32.Select(v => (double)v).ToArray()),
            inception.Manifest.Preprocessing).ToFloats();
        Dictionary<string, OrtTensor> expected;
        using (var runner = new OrtRunner(original, Threads))
        {
            expected = runner.Run(inception.Manifest.Input!, new OrtTensor(preprocessed, [1, 3, NativeSize, NativeSize]), tensors);
        }
        var compiled = ModelCompiler.Compile(inception.Model.Clone(), inception.Manifest, new FeaturesObjective(FeatureTaps));
        using var compiledRunner = new OrtRunner(compiled, Threads);
        var actual = compiledRunner.Run(GraphNames.Image, TestImages.Tensor(image32, NativeSize, NativeSize));

        for (var i = 0; i < FeatureTaps.Length; i++)
        {
            var e = expected[tensors[i]];
            var a = actual[FeatureTaps[i]];
            Assert.Equal(e.Shape, a.Shape);
            var scale = e.Data.Max(v => Math.Abs((double)v));
            var error = e.Data.Zip(a.Data, (x, y) => Math.Abs((double)x - y)).Max() / scale;
            output.WriteLine($"{FeatureTaps[i]} [{string.Join(",", a.Shape)}]: max |diff| / max |value| = {error:E2}");
            Assert.True(error <= FeatureTolerance, $"{FeatureTaps[i]}: max |diff| / scale = {error:E2}.");
        }
    }

    [Fact]
    public void Recommended_dream_gradient_matches_float64_finite_differences_at_75x79()
    {
        // The smallest input Inception v3 takes (75) in one axis, odd in both: every valid stride-2
        // stage drops a pixel, as in the reduction blocks whose backward broke on Keras exports.
        const int h = 75, w = 79;
        var objective = new DreamParameters(inception.Manifest.Recommended.Dream.Select(t => new TapWeight(t.Key, t.Value)).ToList());
        var compiled = ModelCompiler.Compile(inception.Model.Clone(), inception.Manifest, objective.Objective());
        using var runner = new OrtRunner(compiled, Threads);
        var (image32, image64) = TestImages.Random(h, w, seed: 75);
        var feeds = DreamCheck.Feeds(runner, objective);
        feeds[GraphNames.Image] = TestImages.Tensor(image32, h, w);
        var result = runner.Run(feeds);
        var loss = ReferenceLoss.Dream(inception.Reference.Value, inception.Manifest, objective, h, w);

        var expectedLoss = loss(image64);
        var lossError = Math.Abs(result[GraphNames.Loss].Data[0] - expectedLoss) / expectedLoss;
        output.WriteLine($"loss ORT {result[GraphNames.Loss].Data[0]:E7} float64 {expectedLoss:E7} (rel {lossError:E2})");
        Assert.True(lossError <= DreamCheck.LossTolerance, $"Loss relative error {lossError:E2}.");

        var report = FiniteDifferences.Check($"inception_v3 {objective} {h}x{w} (float64 reference)", loss, image64,
            result[GraphNames.Grad].Data, h, w, seed: 76, randomDirections: 1, randomPixels: 0, ReferenceStep);
        output.WriteLine(report.ToString());
        Assert.True(report.MaxRelativeError <= GradientTolerance, $"Worst: {report.Worst}\n{report}");
    }
}
