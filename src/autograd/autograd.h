// Everything model and training code needs from autograd.
#pragma once
#include "autograd/checkpoint.h"
#include "autograd/functions.h"
#include "autograd/grad_mode.h"
#include "autograd/random.h"
#include "autograd/tape.h"
#include "autograd/var.h"
