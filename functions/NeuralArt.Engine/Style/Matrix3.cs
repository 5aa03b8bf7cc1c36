namespace NeuralArt.Engine.Style;

/// <summary>3x3 matrix helpers for colour transforms: product, inverse, and powers of symmetric matrices by Jacobi eigen-decomposition.</summary>
internal static class Matrix3
{
    private const int MaxSweeps = 50;
    private const double OffDiagonalTolerance = 1e-15;

    public static double[,] Multiply(double[,] a, double[,] b)
    {
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++) r[i, j] += a[i, k] * b[k, j];
            }
        }
        return r;
    }

    public static double[,] Inverse(double[,] m)
    {
        var det = m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
                - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
                + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
        if (Math.Abs(det) < 1e-300) throw new ArgumentException("Matrix is singular.", nameof(m));
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                // Cofactor of (j, i), divided by the determinant.
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                r[i, j] = (m[r0, c0] * m[r1, c1] - m[r0, c1] * m[r1, c0]) / det;
            }
        }
        return r;
    }

    /// <summary><c>V diag(lambda^p) V^T</c> of a symmetric positive definite matrix.</summary>
    public static double[,] SymmetricPower(double[,] symmetric, double power)
    {
        var (values, vectors) = Eigen(symmetric);
        var r = new double[3, 3];
        for (var k = 0; k < 3; k++)
        {
            var scaled = Math.Pow(Math.Max(values[k], 1e-12), power);
            for (var i = 0; i < 3; i++)
            {
                for (var j = 0; j < 3; j++) r[i, j] += vectors[i, k] * scaled * vectors[j, k];
            }
        }
        return r;
    }

    /// <summary>Eigenvalues and eigenvectors (columns) of a symmetric matrix, by cyclic Jacobi rotations.</summary>
    public static (double[] Values, double[,] Vectors) Eigen(double[,] symmetric)
    {
        var a = (double[,])symmetric.Clone();
        var v = new double[3, 3] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        for (var sweep = 0; sweep < MaxSweeps; sweep++)
        {
            var off = Math.Abs(a[0, 1]) + Math.Abs(a[0, 2]) + Math.Abs(a[1, 2]);
            if (off < OffDiagonalTolerance) break;
            for (var p = 0; p < 2; p++)
            {
                for (var q = p + 1; q < 3; q++)
                {
                    if (a[p, q] == 0) continue;
                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < 3; k++)
                    {
                        var akp = a[k, p];
                        var akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (var k = 0; k < 3; k++)
                    {
                        var apk = a[p, k];
                        var aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (var k = 0; k < 3; k++)
                    {
                        var vkp = v[k, p];
                        var vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        return ([a[0, 0], a[1, 1], a[2, 2]], v);
    }
}
