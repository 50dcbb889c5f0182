#include <gtest/gtest.h>

#include "core/error.h"
#include "core/tensor.h"

using namespace lf;

TEST(TensorViews, StridesOffsetsAndContiguity) {
  Tensor t = Tensor::from_vector({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
  EXPECT_EQ(t.strides(), (Shape{4, 1}));
  Tensor s = t.slice(0, 1, 3).slice(1, 1, 3);  // rows 1-2, cols 1-2
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  EXPECT_EQ(s.offset(), 5);
  EXPECT_FALSE(s.is_contiguous());
  EXPECT_EQ(s.to_floats(), (std::vector<float>{5, 6, 9, 10}));
  Tensor c = s.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_FALSE(c.same_storage(t));
  EXPECT_TRUE(t.contiguous().same_storage(t));
}

TEST(TensorViews, WritesThroughAViewAreSeenByTheBase) {
  Tensor t = Tensor::from_vector({0, 0, 0, 0, 0, 0}, {2, 3});
  Tensor row = t.select(0, 1);
  row.copy_from(Tensor::from_vector({7, 8, 9}, {3}));
  EXPECT_EQ(t.to_floats(), (std::vector<float>{0, 0, 0, 7, 8, 9}));
  // The source may be any strided view.
  Tensor u = Tensor::from_vector({0, 0, 0, 0, 0, 0}, {2, 3});
  u.copy_from(Tensor::from_vector({1, 2, 3, 4, 5, 6}, {3, 2}).transpose(0, 1));
  EXPECT_EQ(u.to_floats(), (std::vector<float>{1, 3, 5, 2, 4, 6}));
}

TEST(TensorViews, ReshapeUnsqueezeSqueeze) {
  Tensor t = Tensor::from_vector({0, 1, 2, 3, 4, 5}, {2, 3});
  EXPECT_EQ(t.unsqueeze(0).shape(), (Shape{1, 2, 3}));
  EXPECT_EQ(t.unsqueeze(0).squeeze(0).shape(), (Shape{2, 3}));
  Tensor r = t.transpose(0, 1).reshape({6});  // not viewable: copies
  EXPECT_EQ(r.to_floats(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  EXPECT_TRUE(t.reshape({3, 2}).same_storage(t));  // viewable: no copy
  EXPECT_THROW(t.view({4, 2}), Error);
  EXPECT_THROW(t.slice(1, 2, 5), Error);
  EXPECT_THROW(t.select(0, 2), Error);
}

TEST(TensorViews, DescribeNamesDtypeShapeDevice) {
  Tensor t = Tensor::empty({2, 3}, DType::bf16);
  EXPECT_EQ(t.describe(), "bfloat16[2, 3] on cpu");
  EXPECT_EQ(t.nbytes(), 12u);
}
