// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {ChequeHash} from "../../swap/libraries/ChequeHash.sol";
import {ICashoutRouter} from "../../swap/batch/ICashoutRouter.sol";

/// @notice Swarm's `ERC20SimpleSwap` v0.6.9 cash-out semantics (no hard deposits): a relayed cash-out
/// pays what is there and bounces, a stale cheque reverts with a string. Only what the router uses.
contract SwarmLikeChequebook {
    address public immutable issuer;
    IERC20 public immutable token;
    mapping(address => uint256) public paidOut;
    uint256 public totalPaidOut;
    bool public bounced;

    event ChequeBounced();

    constructor(address issuer_, IERC20 token_) {
        issuer = issuer_;
        token = token_;
    }

    function liquidBalanceFor(address) public view returns (uint256) {
        return token.balanceOf(address(this));
    }

    function cashCheque(
        address beneficiary,
        address recipient,
        uint256 cumulativePayout,
        bytes memory beneficiarySig,
        uint256 callerPayout,
        bytes memory issuerSig
    ) external {
        bytes32 sep = ChequeHash.domainSeparator(block.chainid);
        require(
            ECDSA.recover(
                ChequeHash.toTypedDataHash(
                    sep,
                    ChequeHash.hashCashout(address(this), msg.sender, cumulativePayout, recipient, callerPayout)
                ),
                beneficiarySig
            ) == beneficiary,
            "SimpleSwap: invalid beneficiarySig"
        );
        require(
            ECDSA.recover(
                ChequeHash.toTypedDataHash(sep, ChequeHash.hashCheque(address(this), beneficiary, cumulativePayout)),
                issuerSig
            ) == issuer,
            "SimpleSwap: invalid issuer signature"
        );
        require(cumulativePayout >= paidOut[beneficiary], "SafeMath: subtraction overflow");
        uint256 requestPayout = cumulativePayout - paidOut[beneficiary];
        uint256 liquid = liquidBalanceFor(beneficiary);
        uint256 totalPayout = requestPayout < liquid ? requestPayout : liquid;
        require(totalPayout >= callerPayout, "SimpleSwap: cannot pay caller");
        paidOut[beneficiary] += totalPayout;
        totalPaidOut += totalPayout;
        require(token.transfer(recipient, totalPayout - callerPayout));
        if (callerPayout != 0) require(token.transfer(msg.sender, callerPayout));
        if (requestPayout != totalPayout) {
            bounced = true;
            emit ChequeBounced();
        }
    }
}

/// @notice Burns every gas unit it is given, whatever is called.
contract GasBombChequebook {
    fallback() external {
        while (true) {}
    }
}

/// @notice Reverts with `size` bytes of revert data (first word: a recognisable selector).
contract RevertBombChequebook {
    uint256 public immutable size;

    constructor(uint256 size_) {
        size = size_;
    }

    fallback() external {
        uint256 n = size;
        assembly {
            mstore(0, shl(224, 0xdeadbeef))
            revert(0, n)
        }
    }
}

/// @notice Its views answer with `size` bytes (a return-data bomb), claiming paidOut 0 and liquidity;
/// its cash-out does nothing (a success that pays nothing).
contract ReturnBombChequebook {
    uint256 public immutable size;
    address public immutable tokenToClaim;

    constructor(uint256 size_, address tokenToClaim_) {
        size = size_;
        tokenToClaim = tokenToClaim_;
    }

    fallback() external {
        bytes4 sel = msg.sig;
        uint256 n = size;
        if (sel == bytes4(keccak256("paidOut(address)"))) {
            assembly {
                mstore(0, 0)
                return(0, n)
            }
        }
        if (sel == bytes4(keccak256("liquidBalanceFor(address)"))) {
            assembly {
                mstore(0, not(0))
                return(0, n)
            }
        }
        if (sel == bytes4(keccak256("token()"))) {
            address t = tokenToClaim;
            assembly {
                mstore(0, t)
                return(0, 0x20)
            }
        }
        // cashCheque: "succeeds" without paying anything
    }
}

/// @notice On cash-out, calls the router again (re-entry) and bubbles up what happened.
contract ReentrantChequebook {
    ICashoutRouter public immutable router;

    constructor(ICashoutRouter router_) {
        router = router_;
    }

    fallback() external {
        ICashoutRouter.Entry[] memory none = new ICashoutRouter.Entry[](0);
        router.cashMany(none, 100_000, false);
    }
}
